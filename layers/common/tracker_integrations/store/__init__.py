"""DynamoDB access. Nothing outside this package touches boto3's DynamoDB client."""
